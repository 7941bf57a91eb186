"""A grader URL in course content must not make the server call this machine or a private
network (`grader_url: http://127.0.0.1:6391/` POSTed to Redis's neighbour), unless the
operator lists the host in COURSEWIRE_GRADER_ALLOWED_HOSTS."""

from __future__ import annotations

import ipaddress

import pytest

from content_store.blocks import block_type
from content_store.blocks.base import BlockValidationError
from grading import external

REFUSED = ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
           "224.0.0.1", "240.0.0.1", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fc00::1",
           "::ffff:127.0.0.1", "ff02::1"]


@pytest.fixture(autouse=True)
def no_allowed_hosts():
    external.CONFIG.bind(external.ExternalConfig(
        secret_key="s", public_url="https://cw.example.org", retries=0))
    external.outbound.POLICY.bind(external.outbound.OutboundPolicy())


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address):
    assert external.outbound.address_problem(ipaddress.ip_address(address))


def test_public_addresses_pass():
    assert external.outbound.address_problem(ipaddress.ip_address("93.184.216.34")) is None


async def test_grading_never_posts_to_loopback():
    reply = await external.request_grade("http://127.0.0.1:6391/", {"answer": "x"}, {})
    assert reply is not None and reply.error and "loopback" in reply.feedback


async def test_a_name_that_resolves_to_loopback_is_refused():
    reply = await external.request_grade("http://localhost:6391/", {"answer": "x"}, {})
    assert reply is not None and reply.error and "loopback" in reply.feedback


async def test_allowed_hosts_let_an_operator_use_a_private_grader():
    external.outbound.POLICY.bind(external.outbound.OutboundPolicy(("127.0.0.1",)))
    # Now the address is allowed: the connection is tried (and fails: nothing listens).
    with pytest.raises(external.ExternalGraderError):
        await external.request_grade("http://127.0.0.1:9/", {"answer": "x"}, {})


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:6391/", "loopback"), ("http://10.0.0.5/g", "private"),
    ("http://[::1]/g", "loopback"), ("http://localhost:8080/", "loopback"),
    ("http://169.254.169.254/latest", "link-local"),
])
def test_course_validation_says_why_a_grader_url_is_refused(url, why):
    with pytest.raises(BlockValidationError, match=why):
        block_type("code").clean({"title": "T", "prompt": "?", "grader_url": url})


def test_course_validation_accepts_an_allowed_private_grader():
    external.outbound.POLICY.bind(external.outbound.OutboundPolicy(("10.0.0.0/8",)))
    block_type("code").clean({"title": "T", "prompt": "?", "grader_url": "http://10.0.0.5/g"})
