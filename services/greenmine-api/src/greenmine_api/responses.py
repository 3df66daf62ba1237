"""Problem responses the public routes document (authenticated ones use PROBLEM_RESPONSES)."""

from servicekit.errors import PROBLEM_RESPONSES, problem_doc

UNAVAILABLE = {503: problem_doc("Database unreachable 数据库暂不可用")}
PUBLIC = {**UNAVAILABLE, 422: PROBLEM_RESPONSES[422]}
