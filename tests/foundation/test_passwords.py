"""The password policy (NCSC / OWASP ASVS 5) and argon2id hashing."""

import pytest

from eha.auth.passwords import hash_password, password_problem, verify_password


def test_passwords_are_hashed_with_argon2id():
    hashed = hash_password("a long passphrase here")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase here")
    assert not verify_password(hashed, "a long passphrase hers")
    assert not verify_password("not a hash", "anything")


@pytest.mark.parametrize(
    "password, problem",
    [
        ("", "Enter a password"),
        ("elevenchars", "12 characters or more"),
        ("x" * 129, "128 characters or fewer"),
        ("qwerty123456", "too easy to guess"),
        ("123qweasdzxc", "too easy to guess"),
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in password_problem(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "twelve chars",
        "seventy ducks " * 5 + "and one goose",
        "ŻÓŁĆ gęślą jaźń 2026",
        "a" * 60 + "bcde",
    ],
)
def test_long_passwords_without_composition_rules_are_accepted(password):
    assert password_problem(password) is None


def test_a_password_may_not_be_the_users_email():
    assert "email" in password_problem("someone@example.org", email="someone@example.org")
