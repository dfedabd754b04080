"""Produce the next items of an iterator in a thread while the caller works on the current one.

Reading a file block and parsing it with pyarrow release the GIL, so on a machine with two
cores the next block can be read while the engine scores and writes the previous one: a
``--speed 0`` run then costs about the slower of reading and scoring, not their sum. At most
``depth`` items wait, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield what ``items`` yields, computed up to ``depth`` items ahead in a thread.

    An exception raised by ``items`` is raised here, in order. Closing this generator stops
    the thread after the item it is working on.

    >>> list(read_ahead(iter(range(5))))
    [0, 1, 2, 3, 4]
    """
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(exc)
            return
        offer(_DONE)

    worker = threading.Thread(target=work, name="dsio-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
