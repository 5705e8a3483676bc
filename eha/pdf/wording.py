"""Every fixed sentence of the family plan, in one place, for the PDF, the HTML copy and the plain-text copy.

Written to the GOV.UK style guide for a reader of nine: short sentences, everyday words, "you" for the family.
Each string is a gettext call in the ``plan`` domain (see ``eha.pdf.i18n``), so the three copies print the same
words in every language. Placeholders are ``{named}`` and filled with ``str.format`` after translation.
"""

from __future__ import annotations

from .i18n import N_, Translator, translator

# Shown when a language was asked for that has no catalogue yet: there is nothing to translate it with, so English.
NOT_YET_TRANSLATED = N_("This plan is not ready in {language} yet, so it is printed in English.")


class Wording:
    """The plan's fixed text in one language. Attributes are plain strings (some with ``{placeholders}``)."""

    def __init__(self, t: Translator):
        _ = t.gettext
        self.t = t
        self._summary(_)
        self._team(_)
        self._actions(_)
        self._ending(_)
        self._furniture(_)
        self.not_yet_translated = NOT_YET_TRANSLATED.format(language=t.requested_name) if t.untranslated_request else ""

    def _summary(self, _):
        # title and summary
        self.title = _("Your family plan")
        self.family = _("Family")
        self.children = _("Children")
        self.plan_version = _("Plan version")
        self.next_review = _("Next review")
        self.reference = _("Reference")
        self.born = _("{name} (born {date})")
        self.none_written = _("None written down")
        self.status_draft = _("Draft: not agreed yet")
        self.status_signed = _("Agreed and signed")
        self.draft_mark = _("DRAFT - NOT AGREED")
        self.draft_box = _("This plan has not been agreed yet, so it may still change.")
        self.intro_with = _("You and your family made this plan with the people who work with you ({service}).")
        self.intro = _("You and your family made this plan with the people who work with you.")
        self.intro_says = _("It says what we are worried about, what is going well and what everyone will do.")
        self.keep_safe = _("Keep it somewhere safe.")
        # languages
        self.interpreter = _(
            "If you need an interpreter to read this plan or talk about it, tell your main contact. It is free."
        )
        self.own_words = _("Your own words and the names in this plan have not been translated.")

    def _team(self, _):
        # main contact and team
        self.lead_heading = _("Your main contact")
        self.lead_intro = _("Contact this person first about your plan.")
        self.name = _("Name")
        self.job = _("Job")
        self.works_for = _("Works for")
        self.phone = _("Phone")
        self.email = _("Email")
        self.team_heading = _("Who is helping your family")
        self.team_intro = _("These people are the team around your family.")
        self.team_none = _("No one else has joined the team around your family yet.")
        # the family's situation
        self.worries_heading = _("What we are worried about")
        self.working_well_heading = _("What is going well")
        self.nothing_yet = _("Nothing written yet.")
        self.needs_heading = _("What needs to change")

    def _actions(self, _):
        # actions
        self.actions_heading = _("What we will do")
        self.family_who = _("You and your family")
        # TRANSLATORS: {mark} is the words "You and your family" printed in bold, as on each of the family's actions.
        self.actions_intro = _("You and your family will do the actions marked {mark}.")
        self.no_actions = _("No actions agreed yet.")
        # TRANSLATORS: the heading of the narrow column with each action's number.
        self.col_number = _("No.")
        self.col_what = _("What will happen")
        self.col_who = _("Who will do it")
        self.col_when = _("By when")
        self.col_success = _("How we will know it worked")
        self.helps_with = _("This helps with:")
        self.no_date = _("No date set")
        self.not_written = _("Not written yet")
        self.action_card = _("Action {number}")
        self.family_card = _("You and your family will do this.")

    def _ending(self, _):
        # review, worries, signatures, checking
        self.review_heading = _("When we will meet again")
        self.review_on = _("We will meet again on {date} to check how the plan is going.")
        self.review_none = _("We have not set a date to meet again yet. Your main contact will tell you.")
        self.worse_heading = _("If things get worse")
        self.danger = _("If a child is in danger now, call 999.")
        self.worried = _("If you are worried that things are getting worse, call your main contact or:")
        self.front_door_default = _("Your local council's children's services.")
        self.signed_heading = _("Who agreed this plan")
        self.no_signatures = _("No one has signed this version of the plan yet.")
        self.col_role = _("Who they are")
        self.col_date = _("Date")
        self.col_method = _("How they signed")
        self.later_heading = _("Signed after the plan was agreed")
        self.check_heading = _("Checking this copy")
        # TRANSLATORS: keep "SHA-256" as it is: it names the kind of code, which a worker types into eha.
        self.digest_label = _("Digest (SHA-256):")
        self.digest_how = (
            _("This code comes from the signed plan."),
            _("To check a printed copy, a worker opens case {reference} in eha and finds plan version {version}."),
            _("If the code there is not the same as the one above, this is not the plan that was agreed."),
        )
        self.no_digest = _("This version has not been signed, so it has no code yet.")
        self.printed_on = _("Printed on {date}.")

    def _furniture(self, _):
        # page furniture and file details
        self.header_version = _("Plan version {version}")
        self.page_of = _("Page {page} of {total}")
        self.doc_title = _("Family plan {reference} version {version}")
        self.subject = _("Early help family plan")
        self.large_print = _("Large print")
        self.skip_link = _("Skip to the plan")
        self.signed_on = _("Signed on {date}")
        self.how_signed = _("How they signed: {method}")

    @classmethod
    def english(cls) -> Wording:
        return cls(translator())

    def child(self, name: str, born: str | None) -> str:
        return self.born.format(name=name, date=born) if born else name

    def intro_lines(self, service: str) -> list[str]:
        first = self.intro_with.format(service=service) if service else self.intro
        return [first, self.intro_says, self.keep_safe]
