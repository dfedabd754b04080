"""Anomaly detectors: the :class:`AnomalyDetector` contract, the reusable rank calibration and
dsio's built-in detectors (registered in :mod:`dsio.detectors.plugin`)."""

from dsio.detectors.base import AnomalyDetector
from dsio.detectors.calibration import RankCalibration, score_from_tail

__all__ = ["AnomalyDetector", "RankCalibration", "score_from_tail"]
