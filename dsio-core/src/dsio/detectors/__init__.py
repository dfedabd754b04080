"""Anomaly detectors: the :class:`AnomalyDetector` contract and dsio's built-in detectors."""

from dsio.detectors.base import AnomalyDetector

__all__ = ["AnomalyDetector"]
