"""`Where`: a file and a 1-based line the inference read. One model for the facts both inferences cite: the shape
inference (`migrator.shapes`: where a value of a legacy answer is produced) and the lifecycle inference
(`migrator.lifecycle`: where the tenant registry is written, the activation body defined, a usage series answered).
"""

from __future__ import annotations

from pydantic import BaseModel


# (No class docstring: pydantic would copy it into the analyze report's committed JSON schema.)
class Where(BaseModel):
    model_config = {"frozen": True}

    file: str  # as the caller named it: a path relative to the service root
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"
