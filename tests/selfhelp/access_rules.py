from tests.access import PUBLIC, only

RULES = {
    "selfhelp:index": PUBLIC,
    "selfhelp:article_list": PUBLIC,
    "selfhelp:article_detail": PUBLIC,
    "selfhelp:search": PUBLIC,
    "selfhelp:tool": PUBLIC,
    "selfhelp:directory": PUBLIC,
    "selfhelp:my_results": only("practitioner"),
    # POST-only: the practitioner's GET is refused with 405; everyone else never gets that far.
    "selfhelp:save_result": only("practitioner", status=405),
    "selfhelp:saved_result": only("practitioner"),
}


def _article(personas: dict) -> dict:
    from tests.selfhelp.factories import ArticleFactory

    return {"slug": ArticleFactory(published=True).slug}


def _saved_result(personas: dict) -> dict:
    from tests.selfhelp.factories import SavedResultFactory

    return {"pk": SavedResultFactory(user=personas["practitioner"]).pk}


KWARGS = {
    "selfhelp:article_detail": _article,
    "selfhelp:tool": lambda personas: {"slug": "phq-9"},
    "selfhelp:saved_result": _saved_result,
}
