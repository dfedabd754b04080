"""Generate dsio's example data sets, deterministically, from simple physical models.

Run ``python examples/make_data.py`` to rewrite ``examples/data/cardata_sample.csv`` and
``examples/data/kddup_sample.csv`` (or ``python examples/make_data.py OUTDIR`` to write them
elsewhere). The output is byte-for-byte identical on every run, so the committed files can be
checked against this script (``tests/integration/test_examples.py`` does).

Why generated rather than recorded: the files must be free to ship, small, and contain faults
whose positions we know exactly, so that users and tests can check that a detector finds them.
The faults and attack bursts are listed in ``examples/data/README.md``; the constants below are
the single source of their positions.

* ``cardata_sample.csv``: 1,400 seconds of vehicle telemetry in the column layout of an OpenXC
  trace. A driver model follows a fixed drive cycle (turn, accelerate, cruise, brake, stop);
  engine speed follows from speed and gear, torque from the road load, fuel consumed from
  engine power, position from speed and heading, steering from the yaw rate of each turn.
* ``kddup_sample.csv``: about 3,800 network connections in the style of KDD Cup 99: ten
  minutes of normal traffic with a smurf flood, a neptune SYN flood, a port sweep and a
  password-guessing burst. Traffic features (``count``, ``serror_rate``, ...) are computed from
  the simulated connection times exactly as KDD defines them. No time column, like the
  original sample: dsio gives such files a synthetic clock.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SEED = 20170601
DATA_DIR = Path(__file__).resolve().parent / "data"

# -- vehicle telemetry -----------------------------------------------------------------------

CAR_ROWS = 1400
CAR_START = 1496306723.58211  # unix seconds of the first sample (2017-06-01, a morning drive)
CAR_COLUMNS = [
    "time",
    "accelerator_pedal_position",
    "torque_at_transmission",
    "fuel_consumed_since_restart",
    "steering_wheel_angle",
    "fuel_level",
    "engine_speed",
    "vehicle_speed",
    "odometer",
    "longitude",
    "latitude",
    "brake_pedal_status",
    "transmission_gear_position",
]

# The vehicle: a mid-size sedan with a six-speed automatic.
MASS = 1600.0  # kg, with driver
WHEEL_RADIUS = 0.33  # m
WHEELBASE = 2.7  # m
STEERING_RATIO = 15.0  # steering-wheel degrees per road-wheel degree
GEAR_RATIOS = [4.58, 2.96, 1.91, 1.45, 1.00, 0.75]
FINAL_DRIVE = 3.2
DRIVELINE_EFFICIENCY = 0.9
UPSHIFT_KMH = [16.0, 30.0, 44.0, 58.0, 76.0]  # speed above which gear g+1 is taken
DOWNSHIFT_MARGIN_KMH = 6.0  # hysteresis so the gear does not hunt at a shift point
ROLLING_RESISTANCE = 0.012
DRAG_AREA = 0.7  # drag coefficient x frontal area, m^2
AIR_DENSITY = 1.2  # kg/m^3
IDLE_RPM = 710.0
IDLE_FUEL = 0.25e-3  # litres per second with the engine idling
FUEL_ENERGY = 0.28 * 34.2e6  # usable joules per litre of petrol (28 % engine efficiency)
TANK_LITRES = 55.0
FUEL_LEVEL_STEP = 100.0 / 256.0  # the level sender reports in 1/256 steps of the tank
START_FUEL_CONSUMED = 0.137  # litres since the engine was started, before the first sample
START_FUEL_LEVEL = 41.2  # percent
START_ODOMETER = 18243.611  # km
START_LATITUDE = 42.300570
START_LONGITUDE = -83.230180
START_HEADING = 0.35  # radians clockwise from north

DRIVER_GAIN = 0.6  # share of the gap to the wanted speed the driver closes each second
PARK_SECONDS = 75  # idling in park before setting off
TURN_SECONDS = 10  # an intersection turn: pull away, then turn over the last 6 s
TURN_SPEED = 4.5  # m/s through a turn
# One leg per row: turn (degrees, + is right), cruise speed (km/h), acceleration limit (m/s^2),
# cruise duration (s), braking deceleration (m/s^2), time stopped afterwards (s).
LEGS = [
    (90, 48, 1.6, 70, 2.0, 30),
    (-90, 56, 1.8, 90, 2.4, 25),
    (0, 38, 1.4, 45, 1.8, 40),
    (90, 95, 2.0, 200, 2.2, 30),
    (-90, 62, 1.7, 110, 2.6, 20),
    (0, 45, 1.5, 60, 2.0, 35),
    (-90, 52, 1.9, 80, 2.3, 28),
    (90, 30, 1.2, 40, 1.6, 20),
]
PARK_AFTER_SECONDS = 25  # idling in park at the destination before the engine is switched off

# Injected faults. Rows are the values of the file's first column (1-based data rows).
ENGINE_SPIKE_ROW = 600  # one engine_speed sample reads 6842 rpm while cruising in top gear
ENGINE_SPIKE_RPM = 6842
STUCK_SPEED_ROWS = (885, 924)  # vehicle_speed stays at 0 while the car pulls away and cruises
TORQUE_DROPOUT_ROWS = (465, 474)  # torque_at_transmission missing (empty) while accelerating
PEDAL_CONFLICT_ROWS = (1040, 1045)  # brake_pedal_status 1 with the accelerator pressed
PEDAL_CONFLICT_ACCELERATOR = 42.0
GPS_GLITCH_ROW = 760  # one position fix about 2.3 km off the road
GPS_GLITCH_OFFSET = (0.0151, -0.0187)  # degrees latitude, longitude


def drive_cycle(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """What the driver wants each second: target speed (m/s), yaw rate (rad/s), the phase of
    the drive, and the acceleration and braking limits (m/s^2) of the leg being driven."""
    plan: dict[str, list] = {"target": [], "yaw": [], "phase": [], "accel": [], "decel": []}

    def drive(phase: str, target, yaw=0.0, accel: float = 1.5, decel: float = 2.0, n=None):
        n = len(target) if n is None else n
        plan["target"] += list(np.broadcast_to(target, n))
        plan["yaw"] += list(np.broadcast_to(yaw, n))
        plan["phase"] += [phase] * n
        plan["accel"] += [accel] * n
        plan["decel"] += [decel] * n

    turn_shape = np.sin(np.linspace(0.0, np.pi, 8)[1:-1]) ** 2  # 6 s, smooth in and out
    drive("park", 0.0, n=PARK_SECONDS)
    for turn, cruise_kmh, accel, cruise_s, decel, stop_s in LEGS:
        if turn:
            turn_yaw = math.radians(turn) * turn_shape / turn_shape.sum()
            yaw = np.concatenate([np.zeros(TURN_SECONDS - len(turn_shape)), turn_yaw])
            drive("turn", TURN_SPEED, yaw, accel, decel, n=TURN_SECONDS)
        cruise = cruise_kmh / 3.6
        drive("accelerate", cruise, 0.0, accel, decel, n=math.ceil(cruise / accel) + 2)
        # Traffic makes the cruise speed wander slowly, and the road bends gently (curvature
        # wandering around zero, radius mostly beyond 400 m): two Ornstein-Uhlenbeck processes.
        wander, bend = np.zeros(cruise_s), np.zeros(cruise_s)
        for k in range(1, cruise_s):
            wander[k] = 0.98 * wander[k - 1] + rng.normal(0.0, 0.08)
            bend[k] = 0.97 * bend[k - 1] + rng.normal(0.0, 0.0004)
        drive("cruise", cruise + wander, (cruise + wander) * bend, accel, decel)
        drive("brake", 0.0, 0.0, accel, decel, n=math.ceil((cruise + 1.0) / decel) + 1)
        drive("stop", 0.0, n=stop_s)
    drive("park", 0.0, n=PARK_AFTER_SECONDS)
    if len(plan["target"]) > CAR_ROWS:
        raise ValueError(f"drive cycle is {len(plan['target'])} s long; CAR_ROWS is {CAR_ROWS}")
    drive("off", 0.0, n=CAR_ROWS - len(plan["target"]))
    return {key: np.array(values) for key, values in plan.items()}


def select_gears(speed_kmh: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Automatic gear selection with hysteresis; 0 is park, 1-6 are the forward gears."""
    gears = np.zeros(len(speed_kmh), dtype=int)
    gear = 1
    for k, v in enumerate(speed_kmh):
        if phase[k] in ("park", "off"):
            gear = 1
            continue
        while gear < len(GEAR_RATIOS) and v > UPSHIFT_KMH[gear - 1]:
            gear += 1
        while gear > 1 and v < UPSHIFT_KMH[gear - 2] - DOWNSHIFT_MARGIN_KMH:
            gear -= 1
        gears[k] = gear
    return gears


def simulate_car(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Drive the cycle second by second and derive every sensor from the vehicle's motion."""
    plan = drive_cycle(rng)
    target, yaw_rate, phase = plan["target"], plan["yaw"], plan["phase"]
    n = len(target)
    speed = np.zeros(n)  # m/s at each sample
    for k in range(1, n):
        # The driver closes 60 % of the gap to the target speed each second, within the leg's
        # limits; engine power makes full acceleration harder the faster the car goes.
        accel_limit = plan["accel"][k] / (1.0 + speed[k - 1] / 20.0)
        change = np.clip(DRIVER_GAIN * (target[k] - speed[k - 1]), -plan["decel"][k], accel_limit)
        speed[k] = max(0.0, speed[k - 1] + change)
        if target[k] == 0.0 and speed[k] < 0.5:
            speed[k] = 0.0  # the last metre before the car stands still
    accel = np.diff(speed, prepend=0.0)
    speed_kmh = speed * 3.6
    engine_on = phase != "off"
    in_park = np.isin(phase, ["park", "off"])
    gears = select_gears(speed_kmh, phase)

    ratio = np.where(gears > 0, np.array([0.0, *GEAR_RATIOS])[gears], 0.0) * FINAL_DRIVE
    wheel_rpm = speed / (2 * np.pi * WHEEL_RADIUS) * 60
    seconds = np.arange(n)
    idle = IDLE_RPM + 120.0 * np.exp(-seconds / 45.0)  # a cold engine idles high at first
    road_force = (
        MASS * accel
        + MASS * 9.81 * ROLLING_RESISTANCE * (speed > 0)
        + 0.5 * AIR_DENSITY * DRAG_AREA * speed**2
    )
    driving = road_force > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        drive_torque = np.where(
            ratio > 0, road_force * WHEEL_RADIUS / (ratio * DRIVELINE_EFFICIENCY), 0.0
        )
    creep = np.where(in_park, 3.0, 14.0)  # torque-converter load at rest
    engine_braking = -np.minimum(28.0, 6.0 + 6.0 * speed)  # closed throttle, in gear, rolling
    torque = np.where(driving, np.maximum(drive_torque, creep), engine_braking)
    torque = np.where(speed > 0, torque, creep) + rng.normal(0.0, 0.8, n)
    torque = np.where(engine_on, np.round(torque * 2) / 2, 0.0)  # CAN signal in 0.5 Nm steps

    pedal = np.clip(100.0 * torque / 300.0 + 4.0 * (accel > 0.2), 0.0, 100.0)
    pedal = np.where(driving & (speed > 0) & (torque > creep), pedal, 0.0)
    pedal = np.round(pedal + np.where(pedal > 0, rng.normal(0.0, 0.4, n), 0.0), 1).clip(0, 100)

    rpm = np.maximum(idle + 8.0 * pedal, wheel_rpm * ratio) + rng.normal(0.0, 5.0, n)
    rpm = np.where(engine_on, np.round(rpm), 0.0)
    power = np.maximum(torque, 0.0) * rpm * 2 * np.pi / 60  # W
    fuel_rate = np.where(engine_on, IDLE_FUEL + power / FUEL_ENERGY, 0.0)
    fuel_consumed = START_FUEL_CONSUMED + np.cumsum(fuel_rate)
    # The level sender floats on fuel that sloshes backwards under acceleration.
    slosh = np.convolve(accel, np.ones(5) / 5, mode="same") * 0.8
    level = START_FUEL_LEVEL - 100.0 * (fuel_consumed - START_FUEL_CONSUMED) / TANK_LITRES
    level = np.round((level + slosh) / FUEL_LEVEL_STEP) * FUEL_LEVEL_STEP

    brake = ((accel < -0.3) | ((speed == 0) & ~in_park & (target == 0))).astype(int)
    # Steering: the road-wheel angle that produces the yaw rate at this speed (bicycle model).
    with np.errstate(divide="ignore", invalid="ignore"):
        wheel_angle = np.where(speed > 0.5, np.arctan(yaw_rate * WHEELBASE / speed), 0.0)
    steering = np.degrees(wheel_angle) * STEERING_RATIO
    steering += -6.0 + np.cumsum(rng.normal(0.0, 0.05, n)) + rng.normal(0.0, 0.4, n)
    heading = START_HEADING + np.cumsum(yaw_rate)
    north = np.cumsum(speed * np.cos(heading))
    east = np.cumsum(speed * np.sin(heading))
    latitude = START_LATITUDE + north / 111_320.0
    longitude = START_LONGITUDE + east / (111_320.0 * math.cos(math.radians(START_LATITUDE)))
    odometer = START_ODOMETER + np.cumsum(speed) / 1000.0
    measured_kmh = np.where(speed > 0, speed_kmh + rng.normal(0.0, 0.05, n), 0.0).clip(0)

    return {
        "time": CAR_START + seconds,
        "accelerator_pedal_position": pedal,
        "torque_at_transmission": torque,
        "fuel_consumed_since_restart": fuel_consumed,
        "steering_wheel_angle": steering,
        "fuel_level": level,
        "engine_speed": rpm,
        "vehicle_speed": measured_kmh,
        "odometer": odometer,
        "longitude": longitude,
        "latitude": latitude,
        "brake_pedal_status": brake,
        "transmission_gear_position": gears,
        "phase": phase,
    }


def inject_car_faults(car: dict[str, np.ndarray]) -> None:
    """Overwrite the documented rows with sensor faults (rows are 1-based)."""
    phase = car["phase"]

    def rows(first: int, last: int) -> slice:
        return slice(first - 1, last)

    def expect(row_range: slice, allowed: set[str], what: str) -> None:
        found = set(phase[row_range])
        if not found <= allowed:  # the drive cycle changed under a documented fault
            raise ValueError(f"{what} falls in phases {sorted(found)}; move it")

    spike = rows(ENGINE_SPIKE_ROW, ENGINE_SPIKE_ROW)
    expect(spike, {"cruise"}, "engine speed spike")
    car["engine_speed"][spike] = ENGINE_SPIKE_RPM

    stuck = rows(*STUCK_SPEED_ROWS)
    expect(stuck, {"accelerate", "cruise"}, "stuck vehicle speed")
    car["vehicle_speed"][stuck] = car["vehicle_speed"][stuck.start - 1]

    dropout = rows(*TORQUE_DROPOUT_ROWS)
    expect(dropout, {"accelerate"}, "torque dropout")
    car["torque_at_transmission"][dropout] = np.nan

    conflict = rows(*PEDAL_CONFLICT_ROWS)
    expect(conflict, {"cruise"}, "pedal conflict")
    car["brake_pedal_status"][conflict] = 1
    car["accelerator_pedal_position"][conflict] = PEDAL_CONFLICT_ACCELERATOR

    glitch = rows(GPS_GLITCH_ROW, GPS_GLITCH_ROW)
    expect(glitch, {"cruise"}, "GPS glitch")
    car["latitude"][glitch] += GPS_GLITCH_OFFSET[0]
    car["longitude"][glitch] += GPS_GLITCH_OFFSET[1]


CAR_DECIMALS = {
    "time": 5,
    "accelerator_pedal_position": 1,
    "torque_at_transmission": 1,
    "fuel_consumed_since_restart": 6,
    "steering_wheel_angle": 1,
    "fuel_level": 6,
    "engine_speed": 0,
    "vehicle_speed": 2,
    "odometer": 3,
    "longitude": 6,
    "latitude": 6,
    "brake_pedal_status": 0,
    "transmission_gear_position": 0,
}


def number(value: float, decimals: int) -> str:
    """Shortest fixed-point text: ``12.5`` not ``12.500``, ``0`` not ``-0``; empty if missing."""
    if math.isnan(value):
        return ""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def write_cardata(path: Path, car: dict[str, np.ndarray]) -> None:
    """Write the layout of the original OpenXC sample: quoted header, quoted row numbers."""
    lines = [",".join(f'"{name}"' for name in ["", *CAR_COLUMNS])]
    for row in range(CAR_ROWS):
        cells = [number(float(car[c][row]), CAR_DECIMALS[c]) for c in CAR_COLUMNS]
        lines.append(f'"{row + 1}",' + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


# -- network connections (KDD Cup 99 style) -------------------------------------------------

NETWORK_SECONDS = 600.0
NORMAL_RATE = 5.0  # connections per second
KDD_COLUMNS = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "hot",
    "num_failed_logins",
    "logged_in",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "label",
]
# service: protocol, share of normal traffic, server hosts, log-normal (median, sigma) of
# src_bytes and dst_bytes, mean duration in seconds (0 = always 0), logs in.
NORMAL_SERVICES = {
    "http": ("tcp", 0.50, (0, 1, 2), (240, 0.3), (2600, 1.0), 0, True),
    "smtp": ("tcp", 0.10, (3,), (1100, 0.6), (330, 0.2), 0, True),
    "domain_u": ("udp", 0.12, (4,), (44, 0.1), (110, 0.4), 0, False),
    "ftp_data": ("tcp", 0.07, (6,), (900, 1.8), (0, 0), 2, True),
    "private": ("udp", 0.05, (4, 8), (105, 0.05), (146, 0.05), 0, False),
    "ecr_i": ("icmp", 0.03, (0, 3, 4, 6), (520, 0.0), (0, 0), 0, False),
    "pop_3": ("tcp", 0.04, (3,), (28, 0.2), (900, 1.2), 0, True),
    "ftp": ("tcp", 0.02, (6,), (130, 0.4), (500, 0.5), 20, True),
    "telnet": ("tcp", 0.02, (10,), (300, 0.8), (2500, 1.0), 90, True),
    "ntp_u": ("udp", 0.02, (4,), (48, 0.0), (48, 0.0), 0, False),
    "finger": ("tcp", 0.02, (1,), (8, 0.3), (300, 0.6), 0, False),
    "auth": ("tcp", 0.01, (3,), (10, 0.2), (28, 0.2), 0, False),
}
SCANNED_SERVICES = [
    "auth", "bgp", "courier", "csnet_ns", "ctf", "daytime", "discard", "domain", "echo", "efs",
    "exec", "finger", "ftp", "ftp_data", "gopher", "hostnames", "http", "http_443", "imap4",
    "IRC", "iso_tsap", "klogin", "kshell", "ldap", "link", "login", "mtp", "name",
    "netbios_dgm", "netbios_ns", "netbios_ssn", "netstat", "nnsp", "nntp", "other", "pop_2",
    "pop_3", "printer", "private", "remote_job", "rje", "shell", "smtp", "sql_net", "ssh",
    "sunrpc", "supdup", "systat", "telnet", "time", "uucp", "uucp_path", "vmnet", "whois",
    "X11", "Z39_50",
]  # fmt: skip
SYN_ERRORS = {"S0", "S1", "S2", "S3"}
TRAFFIC_WINDOW = 2.0  # seconds, for count/srv_count and their rates
HOST_WINDOW = 255  # connections, for dst_host_count/dst_host_srv_count
COUNT_CAP = 511

# Attack bursts: label, start (s), connections, seconds spanned.
SMURF = ("smurf", 140.0, 300, 0.6)
NEPTUNE = ("neptune", 290.0, 240, 2.0)
PORTSWEEP = ("portsweep", 400.0, 112, 56.0)
GUESS_PASSWD = ("guess_passwd", 505.0, 26, 52.0)
SMURF_VICTIM, NEPTUNE_VICTIM, SWEPT_HOST, TELNET_HOST = 7, 5, 9, 10


def normal_connections(rng: np.random.Generator) -> list[dict]:
    """Poisson arrivals of ordinary client traffic to the site's servers."""
    names = list(NORMAL_SERVICES)
    shares = np.array([NORMAL_SERVICES[s][1] for s in names])
    times = np.cumsum(rng.exponential(1.0 / NORMAL_RATE, int(NETWORK_SECONDS * NORMAL_RATE * 1.2)))
    records = []
    for t in times[times < NETWORK_SECONDS]:
        service = names[rng.choice(len(names), p=shares / shares.sum())]
        protocol, _, hosts, src, dst, mean_duration, logs_in = NORMAL_SERVICES[service]
        flag = "SF"
        if protocol == "tcp":
            flag = rng.choice(
                ["SF", "REJ", "S0", "RSTO", "RSTR"], p=[0.96, 0.02, 0.01, 0.005, 0.005]
            )
        complete = flag == "SF"
        records.append(
            {
                "time": t,
                "host": hosts[rng.integers(len(hosts))],
                "duration": round(rng.exponential(mean_duration)) if mean_duration else 0,
                "protocol_type": protocol,
                "service": service,
                "flag": str(flag),
                "src_bytes": _bytes(rng, *src) if complete else 0,
                "dst_bytes": _bytes(rng, *dst) if complete else 0,
                "hot": int(rng.random() < 0.03) * int(rng.integers(1, 4)),
                "num_failed_logins": 0,
                "logged_in": int(logs_in and complete),
                "label": "normal",
            }
        )
    return records


def _bytes(rng: np.random.Generator, median: float, sigma: float) -> int:
    return round(median * math.exp(rng.normal(0.0, sigma))) if median else 0


def attack_connections(rng: np.random.Generator) -> list[dict]:
    """The four attack bursts, each from one attacker against one victim."""
    records = []

    def burst(spec: tuple, host: int, **fields) -> None:
        label, start, n, span = spec
        times = start + np.sort(rng.uniform(0.0, span, n))
        for k, t in enumerate(times):
            record = {
                "time": t,
                "host": host,
                "duration": 0,
                "src_bytes": 0,
                "dst_bytes": 0,
                "hot": 0,
                "num_failed_logins": 0,
                "logged_in": 0,
                "label": label,
            }
            record.update(
                {key: value(k) if callable(value) else value for key, value in fields.items()}
            )
            records.append(record)

    # smurf: echo replies provoked by spoofed broadcast pings flood the victim.
    burst(
        SMURF,
        SMURF_VICTIM,
        protocol_type="icmp",
        service="ecr_i",
        flag="SF",
        src_bytes=lambda k: 1032 if rng.random() < 0.9 else 520,
    )
    # neptune: half-open TCP connections (SYN, no ACK) to random ports of the victim.
    burst(
        NEPTUNE,
        NEPTUNE_VICTIM,
        protocol_type="tcp",
        service=lambda k: SCANNED_SERVICES[rng.integers(len(SCANNED_SERVICES))],
        flag=lambda k: "S0" if rng.random() < 0.95 else "REJ",
    )
    # portsweep: one probe per port of one host, twice over; closed ports answer with a reset.
    burst(
        PORTSWEEP,
        SWEPT_HOST,
        protocol_type="tcp",
        service=lambda k: SCANNED_SERVICES[k % len(SCANNED_SERVICES)],
        flag=lambda k: "REJ" if rng.random() < 0.75 else "RSTR",
    )
    # guess_passwd: one failed telnet login after another.
    burst(
        GUESS_PASSWD,
        TELNET_HOST,
        protocol_type="tcp",
        service="telnet",
        flag="RSTO",
        duration=lambda k: int(rng.integers(2, 7)),
        src_bytes=lambda k: int(rng.integers(118, 132)),
        dst_bytes=lambda k: int(rng.integers(170, 190)),
        num_failed_logins=1,
    )
    return records


def traffic_features(records: list[dict]) -> None:
    """Add KDD's time-based and host-based traffic features to time-ordered records."""
    t = np.array([r["time"] for r in records])
    host = np.array([r["host"] for r in records])
    service = np.array([r["service"] for r in records])
    flag = np.array([r["flag"] for r in records])
    syn_error = np.isin(flag, list(SYN_ERRORS))
    rejected = flag == "REJ"
    window_start = np.searchsorted(t, t - TRAFFIC_WINDOW, side="left")
    for i, record in enumerate(records):
        window = slice(window_start[i], i + 1)
        same_host = host[window] == host[i]
        same_srv = service[window] == service[i]
        record["count"] = min(int(same_host.sum()), COUNT_CAP)
        record["srv_count"] = min(int(same_srv.sum()), COUNT_CAP)
        record["serror_rate"] = syn_error[window][same_host].mean()
        record["srv_serror_rate"] = syn_error[window][same_srv].mean()
        record["rerror_rate"] = rejected[window][same_host].mean()
        record["srv_rerror_rate"] = rejected[window][same_srv].mean()
        record["same_srv_rate"] = same_srv[same_host].mean()
        record["diff_srv_rate"] = 1.0 - record["same_srv_rate"]
        recent = slice(max(0, i + 1 - HOST_WINDOW), i + 1)
        to_host = host[recent] == host[i]
        record["dst_host_count"] = int(to_host.sum())
        record["dst_host_srv_count"] = int((to_host & (service[recent] == service[i])).sum())


def simulate_network(rng: np.random.Generator) -> list[dict]:
    """Normal traffic with the attack bursts mixed in, ordered by connection start."""
    records = normal_connections(rng) + attack_connections(rng)
    records.sort(key=lambda r: r["time"])
    traffic_features(records)
    return records


def write_kddup(path: Path, records: list[dict]) -> None:
    """Plain CSV, one connection per row, no time column and no index column."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(KDD_COLUMNS)
        for record in records:
            writer.writerow(
                [
                    number(float(v), 2) if isinstance(v, (float, np.floating)) else v
                    for v in (record[c] for c in KDD_COLUMNS)
                ]
            )


def attack_bursts(records: list[dict]) -> dict[str, tuple[int, int, int]]:
    """First row, last row and number of rows of each attack label (rows are 1-based)."""
    bursts: dict[str, tuple[int, int, int]] = {}
    for row, record in enumerate(records, start=1):
        label = record["label"]
        if label != "normal":
            first, _, n = bursts.get(label, (row, row, 0))
            bursts[label] = (first, row, n + 1)
    return bursts


def main(argv: Sequence[str] = ()) -> None:
    out = Path(argv[0]) if argv else DATA_DIR
    out.mkdir(parents=True, exist_ok=True)
    car = simulate_car(np.random.default_rng(SEED))
    inject_car_faults(car)
    write_cardata(out / "cardata_sample.csv", car)
    network = simulate_network(np.random.default_rng(SEED + 1))
    write_kddup(out / "kddup_sample.csv", network)
    print(f"wrote {out / 'cardata_sample.csv'} ({CAR_ROWS} rows)")
    print(f"wrote {out / 'kddup_sample.csv'} ({len(network)} rows)")
    for label, (first, last, n) in attack_bursts(network).items():
        print(f"  {label}: rows {first}-{last} ({n} connections)")


if __name__ == "__main__":
    main(sys.argv[1:])
