"""Problem responses the public routes document (authenticated ones use PROBLEM_RESPONSES),
and what the public's submissions (complaints, objections) share."""

from fastapi import Request
from servicekit.errors import PROBLEM_RESPONSES, problem_doc
from servicekit.rate_limit import RATE_LIMITED_RESPONSE

UNAVAILABLE = {503: problem_doc("Database unreachable 数据库暂不可用")}
PUBLIC = {**UNAVAILABLE, 422: PROBLEM_RESPONSES[422]}
NO_SUCH_LISTING = {404: problem_doc("No such listing")}
NOT_ON_LIST = {**NO_SUCH_LISTING, 409: problem_doc("Not on the list")}
NO_SUCH_PUBLICITY = {404: problem_doc("No such publicity")}
TOO_MANY_SUBMISSIONS = {
    429: {
        **RATE_LIMITED_RESPONSE[429],
        "description": "Too many from this client, within the minute or the window",
    }
}


def decision_responses(what: str) -> dict:
    """What deciding a complaint, an objection, a change request or a rectification documents:
    no such ``what`` (404), or decided already (409)."""
    return {404: problem_doc(f"No such {what}"), 409: problem_doc("Already decided")}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
