"""The application's errors: one class every app's domain errors derive from, and its one mapping
to an answer. A service or selector raises it; the APIs answer it in the error shape
(sn_site.api.error_response) and the site with a page (AppErrorMiddleware), each with its status.

A view that shows a refusal in place, on the form it refused (a survey's answers, a newsletter's
send page), catches it and says so there; anything it does not catch is still answered as below,
never as a server error."""

from django.shortcuts import render


class AppError(Exception):
    """Something the application refuses to do, with why: `code` for machines, `message` for people,
    `errors` (optional) naming each field that was wrong and why, and the HTTP `status` to answer with.
    A subclass sets the defaults; `template` is the page that shows it on the site."""

    status = 400
    code = "invalid"
    message = "Some of what was sent is not valid."
    template = "error.html"

    def __init__(self, message: str | None = None, errors: dict | None = None):
        self.message = message or type(self).message
        self.errors = errors
        super().__init__(self.message)

    def as_json(self) -> dict:
        """The API's error shape: {"code", "message", "errors"?}."""
        body = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def error_page(request, error: AppError):
    """The site's page for an application error: its message and each field's, with its status."""
    context = {"message": error.message, "problems": list(_messages(error.errors or {}))}
    return render(request, error.template, context, status=error.status)


def _messages(errors):
    """Every message in field errors, however deeply they are nested (the answers to a survey's
    questions are errors by question, within "answers")."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list | tuple):
        for value in errors:
            yield from _messages(value)
    else:
        yield str(errors)


class AppErrorMiddleware:
    """An application error no view caught becomes its page (the APIs answer theirs themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return error_page(request, exception) if isinstance(exception, AppError) else None
