"""A survey's questions as its page shows them (the survey and its preview), each with what the
person gave and its error if the form comes back."""

from dataclasses import dataclass, field


@dataclass
class QuestionField:
    """A question as the survey's form shows it, with what the person gave if the form comes back."""

    question: object  # a Question
    name: str
    error: str = ""
    chosen: list = field(default_factory=list)
    text: str = ""
    ranks: list = field(default_factory=list)  # (index, option, rank given)

    @property
    def anchor(self) -> str:
        """The id of the question's first box, where its error links to."""
        return f"{self.name}-input" if self.question.kind == self.question.Kind.TEXT else f"{self.name}-0"


def question_fields(questions, data=None, answer_errors=None) -> list[QuestionField]:
    """Each question as the survey's form shows it, with its error from answer_errors
    ({"<question id>": [message]}). A question not saved yet (in a preview) is named by its place."""
    fields = []
    for place, question in enumerate(questions, start=1):
        name = f"q{question.pk}" if question.pk else f"new{place}"
        fields.append(
            QuestionField(
                question,
                name,
                error=answer_errors.get(str(question.pk), [""])[0] if isinstance(answer_errors, dict) else "",
                chosen=data.getlist(name) if data else [],
                text=data.get(name, "") if data else "",
                ranks=[
                    (i, option, data.get(f"{name}-{i}", "") if data else "")
                    for i, option in enumerate(question.options())
                ],
            )
        )
    return fields
