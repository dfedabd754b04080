"""The default forecaster of predictive anomaly detection; imports river, so it is loaded lazily."""

from __future__ import annotations

from river import time_series


class HoltForecaster(time_series.HoltWinters):
    """Holt's linear exponential smoothing that can forecast from its first value on.

    river's ``HoltWinters`` needs two values before it can forecast, but
    ``PredictiveAnomalyDetection`` asks for a forecast before learning the very first value. Until
    Holt's model is initialised, this forecasts the last value seen (0 before any); those
    forecasts fall in the detector's warm-up, whose scores dsio never reports.

    Parameters
    ----------
    alpha : float
        Smoothing of the level (higher follows the data more closely).
    beta : float
        Smoothing of the trend.
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.1) -> None:
        super().__init__(alpha=alpha, beta=beta)

    def forecast(self, horizon: int, xs: list[dict] | None = None) -> list[float]:
        if not self._initialized:
            last = self._first_values[-1] if self._first_values else 0.0
            return [last] * horizon
        return super().forecast(horizon, xs)
