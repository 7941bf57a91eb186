"""Course files over HTTP: instructors upload, replace and delete them on the files page;
members download them, streamed, with their type; everyone else is turned away."""

import re

import httpx

from app.application import create_app
from content_store.assets import MAX_ASSET_BYTES
from tests.content_app.conftest import COURSE
from tests.support.people import browser_login

HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (600 * 4)  # over 600 KiB: three chunks
FILES_PAGE = f"/courses/{COURSE}/studio/assets"


async def upload(client, csrf, name, data, content_type="application/octet-stream"):
    return await client.post(f"{FILES_PAGE}?csrf_token={csrf}",
                             files={"file": (name, data, content_type)})


async def delete(client, csrf, name, *, htmx=True):
    headers = {**HTMX, "X-CSRF-Token": csrf} if htmx else {}
    data = {} if htmx else {"csrf_token": csrf}
    return await client.post(f"{FILES_PAGE}/{name}/delete", headers=headers, data=data)


async def test_course_files_are_served_to_members_only_with_their_type(client, people):
    csrf = await browser_login(client, "grace@example.org")
    r = await upload(client, csrf, "../diagram one.png", PNG, "image/png")
    assert r.status_code == 200 and "Uploaded diagram-one.png" in r.text
    await upload(client, csrf, "page.html", b"<script>x</script>", "text/html")
    await upload(client, csrf, "logo.svg", b"<svg onload='x()'/>", "image/svg+xml")

    await browser_login(client, "ada@example.org")
    got = await client.get(f"/courses/{COURSE}/assets/diagram-one.png")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-length"] == str(len(PNG))
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in got.headers
    for risky in ("page.html", "logo.svg"):
        r = await client.get(f"/courses/{COURSE}/assets/{risky}")
        assert r.headers["content-disposition"] == f'attachment; filename="{risky}"'
        assert r.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(FILES_PAGE)).status_code == 403
    assert (await client.get(f"/courses/{COURSE}/assets/nothing.png")).status_code == 404

    await browser_login(client, "out@example.org")
    assert (await client.get(f"/courses/{COURSE}/assets/diagram-one.png")).status_code == 404
    client.cookies.clear()
    r = await client.get(f"/courses/{COURSE}/assets/diagram-one.png")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_uploading_a_file_again_replaces_it(client, people):
    csrf = await browser_login(client, "grace@example.org")
    await upload(client, csrf, "notes.txt", b"first draft", "text/plain")
    r = await upload(client, csrf, "notes.txt", b"second draft", "text/plain")
    assert r.status_code == 200 and r.text.count('href="/courses/' + COURSE
                                                 + '/assets/notes.txt"') == 1
    assert "12 bytes" in r.text
    got = await client.get(f"/courses/{COURSE}/assets/notes.txt")
    assert got.content == b"second draft"
    assert got.headers["content-type"].startswith("text/plain")


async def test_a_file_over_the_size_limit_is_refused_with_413(client, people):
    csrf = await browser_login(client, "grace@example.org")
    await upload(client, csrf, "big.bin", b"the old one")
    r = await upload(client, csrf, "big.bin", b"x" * (MAX_ASSET_BYTES + 1))
    assert r.status_code == 413
    assert f"Files are limited to {MAX_ASSET_BYTES // (1024 * 1024)} MB" in r.text
    got = await client.get(f"/courses/{COURSE}/assets/big.bin")
    assert got.content == b"the old one"


async def test_instructors_delete_a_file_from_the_files_page(client, people):
    csrf = await browser_login(client, "grace@example.org")
    await upload(client, csrf, "gone.png", PNG, "image/png")
    await upload(client, csrf, "kept.png", b"png", "image/png")
    page = (await client.get(FILES_PAGE)).text
    assert f'hx-post="{FILES_PAGE}/gone.png/delete"' in page and "hx-confirm" in page

    r = await delete(client, csrf, "gone.png")
    assert r.status_code == 200 and "Deleted gone.png." in r.text
    assert "<html" not in r.text and "kept.png" in r.text
    assert re.search(r'<section id="course-files-[^"]+"', r.text)
    assert "/assets/gone.png\"" not in r.text
    assert (await client.get(f"/courses/{COURSE}/assets/gone.png")).status_code == 404
    assert (await delete(client, csrf, "gone.png")).status_code == 404

    r = await delete(client, csrf, "kept.png", htmx=False)  # a plain form, without JS
    assert r.status_code == 200 and "Deleted kept.png." in r.text and "<html" in r.text
    assert "No files yet." in r.text


async def test_deleting_a_file_needs_an_instructor_and_the_csrf_token(client, people):
    csrf = await browser_login(client, "grace@example.org")
    await upload(client, csrf, "keep.png", b"png", "image/png")
    r = await client.post(f"{FILES_PAGE}/keep.png/delete", headers=HTMX)
    assert r.status_code == 403 and "CSRF" in r.text
    ada_csrf = await browser_login(client, "ada@example.org")
    assert (await delete(client, ada_csrf, "keep.png")).status_code == 403
    out_csrf = await browser_login(client, "out@example.org")
    assert (await delete(client, out_csrf, "keep.png")).status_code == 404
    await browser_login(client, "ada@example.org")
    assert (await client.get(f"/courses/{COURSE}/assets/keep.png")).content == b"png"


async def test_uploaded_files_survive_a_restart_in_embedded_mode(app, client, people,
                                                                 settings):
    csrf = await browser_login(client, "grace@example.org")
    await upload(client, csrf, "diagram.png", PNG, "image/png")
    await app.runtime.stop()

    restarted = create_app(settings)
    await restarted.runtime.start()
    try:
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await browser_login(c, "ada@example.org")
            got = await c.get(f"/courses/{COURSE}/assets/diagram.png")
            assert got.status_code == 200 and got.content == PNG
    finally:
        await restarted.runtime.stop()
        await app.runtime.start()  # the fixture stops it again
