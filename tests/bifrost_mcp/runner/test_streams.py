"""sys.stdout and sys.stderr routers: a run's writes go to its record; anything else on, with secrets redacted."""

import io

from bifrost_mcp.executions.seen import SEEN
from bifrost_mcp.runner.streams import StreamRouter

SECRET = "streams-test-secret-41c9"


class Buffered(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", write_through=True)

    def written(self) -> bytes:
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue()


def test_writes_outside_a_run_go_on_redacted_as_text_and_as_bytes() -> None:
    SEEN.add(SECRET)
    fallback = Buffered()
    router = StreamRouter(fallback, "stderr", lambda _stream: None)
    router.write(f"text {SECRET}\n")
    router.buffer.write(f"bytes {SECRET}\n".encode())
    router.flush()
    assert fallback.written() == b"text [REDACTED]\nbytes [REDACTED]\n"


def test_writes_inside_a_run_go_to_its_sink_and_bytes_are_decoded() -> None:
    fallback = Buffered()
    received: list[tuple[str, str]] = []

    def target(stream: str):  # type: ignore[no-untyped-def]
        return lambda text: received.append((stream, text))

    router = StreamRouter(fallback, "stdout", target)
    assert router.write("one\n") == 4
    assert router.buffer.write("twö\n".encode()) == 5
    router.writelines(["a", "b"])
    assert received == [("stdout", "one\n"), ("stdout", "twö\n"), ("stdout", "a"), ("stdout", "b")]
    assert fallback.written() == b""
