"""Seed data for the signposting directory (pure data, no Django).

These are starting entries for editable directory records, not the source of truth: staff
keep them up to date in the admin. Phone numbers appear only where they are published in
DOMAIN.md; everything else sends people to the organisation's website rather than risk a
wrong number. Devolved-nation entries are deliberately generic and point at each nation's
NHS site until someone confirms the current service details.

Every entry has the same keys. `nation` is "" for services open across the UK or England,
and "scotland", "wales" or "northern-ireland" for the devolved-nation services.
"""

from __future__ import annotations

from typing import Final, TypedDict

__all__ = ["CATEGORIES", "DIRECTORY", "DirectoryEntry"]


class DirectoryEntry(TypedDict):
    name: str
    category: str
    description: str
    phone: str
    website: str
    hours: str
    nation: str


CATEGORIES: Final[dict[str, str]] = {
    "financial-and-personal": "Financial and personal support",
    "regulatory-and-performance": "Regulatory and performance issues",
    "legal-and-indemnity": "Legal and indemnity",
    "return-to-practice": "Returning to clinical practice",
    "devolved-nations": "Working in Scotland, Wales or Northern Ireland",
    "crisis": "Urgent help",
}

DIRECTORY: Final[list[DirectoryEntry]] = [
    # --- Urgent help -----------------------------------------------------------------------
    {
        "name": "Emergency services",
        "category": "crisis",
        "description": (
            "If you or someone else is in immediate danger, or you have seriously harmed "
            "yourself, call 999 or go to your nearest emergency department."
        ),
        "phone": "999",
        "website": "",
        "hours": "24 hours, every day",
        "nation": "",
    },
    {
        "name": "NHS 111, option 2 (mental health crisis)",
        "category": "crisis",
        "description": (
            "Urgent mental health help in England. Call 111 and choose option 2 to speak to "
            "a local NHS mental health team."
        ),
        "phone": "111",
        "website": "https://111.nhs.uk",
        "hours": "24 hours, every day",
        "nation": "",
    },
    {
        "name": "Samaritans",
        "category": "crisis",
        "description": (
            "Free, confidential listening for anyone who is struggling to cope. You do not have to be suicidal to call."
        ),
        "phone": "116 123",
        "website": "https://www.samaritans.org",
        "hours": "24 hours, every day",
        "nation": "",
    },
    {
        "name": "Shout",
        "category": "crisis",
        "description": (
            "Free, confidential text support for anyone in crisis. Text SHOUT to 85258 to "
            "start a conversation with a trained volunteer."
        ),
        "phone": "85258 (text SHOUT)",
        "website": "https://giveusashout.org",
        "hours": "24 hours, every day",
        "nation": "",
    },
    # --- Financial and personal support ----------------------------------------------------
    {
        "name": "BMA wellbeing support services",
        "category": "financial-and-personal",
        "description": (
            "Confidential counselling and peer support for doctors and medical students, "
            "whether or not they are BMA members."
        ),
        "phone": "0330 123 1245",
        "website": "https://www.bma.org.uk",
        "hours": "24 hours, every day",
        "nation": "",
    },
    {
        "name": "Doctors Support Network (DSN)",
        "category": "financial-and-personal",
        "description": (
            "A peer support network run by doctors for doctors and medical students with "
            "mental health concerns, offering confidential online and in-person support."
        ),
        "phone": "",
        "website": "https://www.dsn.org.uk",
        "hours": "",
        "nation": "",
    },
    {
        "name": "Royal Medical Benevolent Fund (RMBF)",
        "category": "financial-and-personal",
        "description": (
            "A charity giving financial support, money advice and guidance to doctors and "
            "their families facing hardship through illness, disability or bereavement."
        ),
        "phone": "",
        "website": "https://rmbf.org",
        "hours": "",
        "nation": "",
    },
    {
        "name": "The Cameron Fund",
        "category": "financial-and-personal",
        "description": (
            "The GPs' own charity, offering financial help and money advice to general "
            "practitioners and their families in difficulty."
        ),
        "phone": "",
        "website": "https://www.cameronfund.org.uk",
        "hours": "",
        "nation": "",
    },
    # --- Regulatory and performance issues -------------------------------------------------
    {
        "name": "Practitioner Performance Advisory Service (NHS Resolution)",
        "category": "regulatory-and-performance",
        "description": (
            "Part of NHS Resolution. Gives impartial advice to healthcare organisations and "
            "practitioners on concerns about a doctor's or dentist's practice, including "
            "assessment and support to return to safe practice."
        ),
        "phone": "",
        "website": "https://resolution.nhs.uk",
        "hours": "",
        "nation": "",
    },
    {
        "name": "British Dental Association",
        "category": "regulatory-and-performance",
        "description": (
            "The professional association and trade union for dentists. Advises members on "
            "NHS contracts, employment, practice issues and dealing with the General Dental "
            "Council, and points dentists to wellbeing support."
        ),
        "phone": "",
        "website": "https://bda.org",
        "hours": "",
        "nation": "",
    },
    # --- Legal and indemnity ---------------------------------------------------------------
    {
        "name": "Your medical or dental defence (indemnity) organisation",
        "category": "legal-and-indemnity",
        "description": (
            "If you receive a complaint, a claim or a letter from the GMC or GDC, contact your "
            "defence or indemnity organisation early. Their advisers can help with responses, "
            "investigations and hearings. Your membership details will have their advice line."
        ),
        "phone": "",
        "website": "",
        "hours": "Most run a 24-hour advice line for urgent matters",
        "nation": "",
    },
    # --- Returning to clinical practice ----------------------------------------------------
    {
        "name": "UK Association of Physician Health (UKAPH)",
        "category": "return-to-practice",
        "description": (
            "A professional network of clinicians who look after the health of doctors and "
            "dentists. Its members include occupational health and physician health services "
            "that support a planned return to work."
        ),
        "phone": "",
        "website": "https://ukaph.org",
        "hours": "",
        "nation": "",
    },
    {
        "name": "Supported return to training (NHS England)",
        "category": "return-to-practice",
        "description": (
            "Doctors and dentists in training returning after time out, including for ill "
            "health, can get a planned return with extra support. Ask your training programme "
            "director or local professional support service."
        ),
        "phone": "",
        "website": "https://www.england.nhs.uk",
        "hours": "",
        "nation": "",
    },
    # --- Devolved nations ------------------------------------------------------------------
    {
        "name": "Practitioner health service for Scotland",
        "category": "devolved-nations",
        "description": (
            "The practitioner health service for doctors and dentists in Scotland. If you "
            "work in Scotland, this is the confidential service to contact."
        ),
        "phone": "",
        "website": "https://www.nhsinform.scot",
        "hours": "",
        "nation": "scotland",
    },
    {
        "name": "Practitioner health service for Wales",
        "category": "devolved-nations",
        "description": (
            "The practitioner health service for doctors and dentists in Wales. If you work "
            "in Wales, this is the confidential service to contact."
        ),
        "phone": "",
        "website": "https://www.nhs.wales",
        "hours": "",
        "nation": "wales",
    },
    {
        "name": "Practitioner health service for Northern Ireland",
        "category": "devolved-nations",
        "description": (
            "The practitioner health service for doctors and dentists in Northern Ireland. If "
            "you work in Northern Ireland, this is the confidential service to contact."
        ),
        "phone": "",
        "website": "https://online.hscni.net",
        "hours": "",
        "nation": "northern-ireland",
    },
]
