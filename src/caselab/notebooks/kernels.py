"""Starting Jupyter kernels quietly: transport encryption where the kernel supports it.

ipykernel ≥ 7 warns, once per kernel, "Kernel is running over TCP without encryption" unless the kernel
manager provisions CurveZMQ keys. Every kernel caselab starts (the guide's, the grader's, JupyterLab's in
``caselab study``) asks for ``transport_encryption="auto"``: keys are provisioned when pyzmq has Curve and
the kernelspec declares support, which is exactly when ipykernel would otherwise warn. With an older
jupyter_client or a pyzmq without Curve, nothing is asked (and older kernels do not warn).
"""

from __future__ import annotations

from functools import cache

__all__ = ["encryption_supported", "launch_kwargs", "lab_options"]


@cache
def encryption_supported() -> bool:
    """True if jupyter_client can provision CurveZMQ keys for a kernel here."""
    try:
        import zmq
        from jupyter_client.manager import KernelManager
    except ImportError:
        return False
    return bool(zmq.has("curve")) and KernelManager.class_traits().get("transport_encryption") is not None


def launch_kwargs() -> dict:
    """Keyword arguments for ``KernelManager.start_kernel`` / ``NotebookClient.execute``."""
    return {"transport_encryption": "auto"} if encryption_supported() else {}


def lab_options() -> list[str]:
    """Command-line options for ``jupyter lab`` so that the kernels it starts are encrypted."""
    return ["--KernelManager.transport_encryption=auto"] if encryption_supported() else []
