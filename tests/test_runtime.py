import asyncio

import pytest

from trainlytics.runtime import run_together


class _Container:
    """Stands in for trainlytics.container.Container: run_together only closes it."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True


async def test_a_service_that_does_not_apply_returns_and_the_main_one_keeps_running():
    container = _Container()
    stop = asyncio.Event()
    ran: list[str] = []

    async def main(_c) -> None:
        ran.append("main")
        await stop.wait()

    async def not_configured(_c) -> None:
        ran.append("skipped")

    async def background(_c) -> None:
        ran.append("background")
        await asyncio.sleep(0)
        stop.set()  # the main role ends once the background one had its turn
        await asyncio.Event().wait()

    services = [main, not_configured, background]
    await asyncio.wait_for(run_together(container, services), 5)  # type: ignore[arg-type]  # only aclose() is used
    assert sorted(ran) == ["background", "main", "skipped"] and container.closed


async def test_a_failing_background_service_stops_the_process_with_its_error():
    container = _Container()

    async def main(_c) -> None:
        await asyncio.Event().wait()

    async def broken(_c) -> None:
        raise RuntimeError("broker unreachable")

    with pytest.raises(RuntimeError, match="broker unreachable"):
        await asyncio.wait_for(run_together(container, [main, broken]), 5)  # type: ignore[arg-type]  # only aclose() is used
    assert container.closed
