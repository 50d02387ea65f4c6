"""The emulations' offset paging: pages in order to the end, and the service's errors for bad input."""

from __future__ import annotations

import pytest

from local_aws.emulator.paging import InvalidPageError, offset_page


def test_pages_follow_their_tokens_to_the_end() -> None:
    items = list(range(7))
    seen: list[int] = []
    body: dict[str, object] = {"MaxResults": 3}
    while True:
        page, token = offset_page(items, body, maximum=100)
        seen += page
        if token is None:
            break
        body = {"MaxResults": 3, "NextToken": token}
    assert seen == items


def test_the_default_size_is_the_maximum_and_names_follow_the_service() -> None:
    assert offset_page(list(range(5)), {}, maximum=2) == ([0, 1], "2")
    body = {"maxResults": 4, "nextToken": "4"}
    assert offset_page(list(range(5)), body, maximum=10, names=("maxResults", "nextToken")) == ([4], None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"MaxResults": 0}, "MaxResults must be 1 to 10."),
        ({"MaxResults": 11}, "MaxResults must be 1 to 10."),
        ({"MaxResults": True}, "MaxResults must be 1 to 10."),
        ({"NextToken": "x"}, "NextToken is not valid."),
        ({"NextToken": "9"}, "NextToken is not valid."),
        ({"NextToken": "-1"}, "NextToken is not valid."),
    ],
)
def test_bad_sizes_and_tokens_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidPageError, match=message.replace(".", r"\.")):
        offset_page(list(range(5)), body, maximum=10)
