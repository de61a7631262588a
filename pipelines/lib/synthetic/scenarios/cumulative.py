"""The dose of the long-course scenarios: 50 mg for the first prescription, then a steady daily dose."""


def steady_dose(daily: int, first: int = 50):
    def dose(i, s):
        return first if i == 0 else daily
    return dose
