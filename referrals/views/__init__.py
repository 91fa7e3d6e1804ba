"""Views: the self-referral pages (intake) and the practitioner's own pages."""

from .intake import (
    branch_page,
    check,
    confirmation,
    phone_branch_page,
    phone_check,
    phone_confirmation,
    phone_question,
    phone_start,
    question,
    start,
)
from .practitioner import my_access, my_contact, my_home, my_people, my_stop
from .request_link import request_link, request_link_follow

__all__ = [
    "branch_page",
    "check",
    "confirmation",
    "my_access",
    "my_contact",
    "my_home",
    "my_people",
    "my_stop",
    "phone_branch_page",
    "phone_check",
    "phone_confirmation",
    "phone_question",
    "phone_start",
    "question",
    "request_link",
    "request_link_follow",
    "start",
]
