"""Extraction in worker processes gives exactly what extraction in this process gives."""

from __future__ import annotations

import asyncio

import pytest

from regarchive.demo.site import build_site
from regarchive.pipelines.pool import ExtractionPool, extract_page


def sample_pages() -> list[dict]:
    site = build_site("http://127.0.0.1:8000")
    pages = []
    for truth in site.articles:
        path = truth.canonical_url.removeprefix(site.base_url)
        page = site.lookup(path)
        pages.append(
            {"body": page.body, "url": truth.canonical_url, "content_type": page.content_type}
        )
    return pages


@pytest.mark.e2e
def test_pool_and_in_process_extraction_agree() -> None:
    pages = sample_pages()
    pool = ExtractionPool(workers=2)

    async def extract_all() -> list[dict]:
        return list(await asyncio.gather(*(pool.extract(page) for page in pages)))

    try:
        pooled = asyncio.run(extract_all())
    finally:
        pool.close()
    assert len(pooled) == len(pages) >= 30
    assert pooled == [extract_page(page) for page in pages]


def test_zero_workers_extracts_in_process() -> None:
    page = sample_pages()[0]
    pool = ExtractionPool(workers=0)
    assert asyncio.run(pool.extract(page)) == extract_page(page)
    assert pool._executor is None
