"""The sandbox under concurrent clients (ThreadingHTTPServer): every answer whole and right
while another thread keeps changing the shop."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from config import Secret
from sandbox import Sandbox
from wp_client.client_area import ClientAreaClient
from wp_client.woo import WooClient


def test_parallel_readers_and_writers_get_consistent_answers() -> None:
    with Sandbox(seed=5, clients=12, orders=150) as sb:
        order_ids = sorted(sb.shop.orders)
        clients = sorted(sb.shop.customers)[:5]
        stop = threading.Event()

        def keep_editing() -> int:
            rng, edits = random.Random(1), 0
            while not stop.is_set():
                sb.shop.edit_order(rng.choice(order_ids))  # date_modified moves, ids stay
                edits += 1
            return edits

        def reader(n: int) -> tuple[list[int], int]:
            woo = WooClient(sb.url, Secret(sb.consumer_key), Secret(sb.consumer_secret))
            area = ClientAreaClient(sb.url, sb.wp_username, Secret(sb.wp_app_password))
            seen: list[int] = []
            pushed = 0
            try:
                for round_ in range(3):
                    pages = woo.iter_order_pages(modified_after=None, modified_before=None)
                    seen = [order["id"] for page in pages for order in page]
                    items = [
                        {"client_id": c, "hash": f"{n}-{round_}", "payload": {"n": n}}
                        for c in clients
                    ]
                    result = area.push_accounts(items)
                    pushed += len(result["updated"]) + len(result["unchanged"])
            finally:
                woo.close()
                area.close()
            return seen, pushed

        editor = ThreadPoolExecutor(1)
        edits = editor.submit(keep_editing)
        try:
            with ThreadPoolExecutor(6) as pool:
                results = list(pool.map(reader, range(6)))
        finally:
            stop.set()
            editor.shutdown()
        assert edits.result() > 0
        for seen, pushed in results:
            assert seen == [i for i in order_ids if sb.shop.orders[i].status != "trash"]
            assert pushed == 3 * len(clients)
        assert {r.status for r in sb.requests} == {200}
        assert set(sb.area.accounts) == set(clients)
