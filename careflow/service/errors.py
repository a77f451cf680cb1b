"""What a caller of the service can get wrong, each error with its HTTP status and the FHIR
issue type (http://hl7.org/fhir/R4/valueset-issue-type.html) of the OperationOutcome that
answers it (docs/service.md#errors)."""

from __future__ import annotations

from ..errors import CareflowError, UsageError


class ConfigError(UsageError):
    """A service configuration careflow cannot run with (the file and the key named)."""


class ServiceError(CareflowError):
    """A request the service refuses; `status` and `code` make its OperationOutcome."""

    status = 400
    code = "invalid"
    headers: dict[str, str] = {}  # noqa: RUF012 - never mutated; Busy sets its own per call

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class BadRequest(ServiceError):
    """Malformed JSON, or a CDS Hooks request missing a field or naming another hook."""


class Unauthorized(ServiceError):
    """No JWT, or one that does not verify (the reason, never the token, is given)."""

    status = 401
    code = "security"
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}  # noqa: RUF012 - never mutated


class Unprocessable(ServiceError):
    """FHIR data careflow cannot map to a patient: each problem names the resource and the
    element (careflow.fhir_in)."""

    status = 422
    code = "invalid"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnknownService(ServiceError):
    status = 404
    code = "not-found"


class TooLarge(ServiceError):
    status = 413
    code = "too-costly"


class PrefetchMissing(ServiceError):
    """Data the service needs that neither the prefetch nor the FHIR server gave (412)."""

    status = 412
    code = "incomplete"


class Busy(ServiceError):
    """Every worker is busy and the queue is full: try again shortly (503, Retry-After)."""

    status = 503
    code = "transient"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class EvaluationFailed(ServiceError):
    """The evaluation did not give a plan: the engine failed, or its worker died or timed
    out. Never answered with "no cards" (5xx)."""

    status = 500
    code = "exception"


class EvaluationTimeout(EvaluationFailed):
    status = 504
    code = "timeout"
