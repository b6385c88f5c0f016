"""Failed logins from one address are answered more and more slowly, then forgotten."""

from trustdialog.ssh.throttle import LoginThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_delay_doubles_with_each_failure_up_to_a_cap():
    throttle = LoginThrottle(base=0.5, cap=10, clock=Clock())
    delays = []
    for _ in range(7):
        delays.append(throttle.delay("203.0.113.5"))
        throttle.failed("203.0.113.5")
    assert delays == [0, 0.5, 1, 2, 4, 8, 10]
    assert throttle.delay("198.51.100.7") == 0  # other addresses are not slowed


def test_success_clears_and_quiet_time_forgets():
    clock = Clock()
    throttle = LoginThrottle(window=600, clock=clock)
    throttle.failed("a")
    throttle.failed("a")
    throttle.succeeded("a")
    assert throttle.delay("a") == 0
    throttle.failed("b")
    clock.now += 601
    assert throttle.delay("b") == 0


def test_memory_is_bounded_when_many_addresses_knock():
    clock = Clock()
    throttle = LoginThrottle(clock=clock, max_addresses=100)
    for n in range(1000):
        clock.now += 1
        throttle.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._records) <= 100
    assert throttle.delay("10.0.3.231") > 0  # the latest are kept
