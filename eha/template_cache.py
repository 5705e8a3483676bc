"""Compiled templates shared by every app in the process.

Jinja compiles a template the first time an environment loads it. Each ``create_app`` makes a new environment,
so a process that builds several apps (the test suite builds one per test; ``flask`` commands beside a served
app) compiled the same ~20 templates again for each: about half a second before its first page. This cache keeps
the compiled code per process, keyed by the template, its source's checksum (an edited template compiles again)
and the environment's options (extensions, whitespace rules), so apps configured differently never share code.
"""

from jinja2.bccache import Bucket, BytecodeCache


def _fingerprint(environment):
    autoescape = environment.autoescape
    autoescape = getattr(getattr(autoescape, "__func__", autoescape), "__qualname__", autoescape)
    return repr(
        (
            sorted(environment.extensions),
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            environment.newline_sequence,
            environment.optimized,
            autoescape,
            environment.block_start_string,
            environment.variable_start_string,
            environment.comment_start_string,
            environment.line_statement_prefix,
        )
    )


class ProcessBytecodeCache(BytecodeCache):
    """Code objects in a dict: no marshalling, nothing on disk."""

    def __init__(self):
        self._code = {}

    def get_bucket(self, environment, name, filename, source):
        key = self.get_cache_key(f"{_fingerprint(environment)}\0{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket):
        stored = self._code.get(bucket.key)
        if stored is not None and stored[0] == bucket.checksum:
            bucket.code = stored[1]

    def dump_bytecode(self, bucket):
        if bucket.code is not None:
            self._code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self):
        self._code.clear()


TEMPLATES = ProcessBytecodeCache()
