from tests.access import PUBLIC

RULES = {
    "selfhelp:index": PUBLIC,
}
