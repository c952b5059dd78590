"""Rate limits shared by several routes. Counted per client address (behind the
trusted proxy, the visitor's own), in Redis when REDIS_URL is set."""
from flask import current_app

from ..extensions import limiter

# One budget for every page looked up by a pass secret, so guessing secrets
# across the pass, QR and feedback URLs shares a single allowance.
pass_lookup = limiter.shared_limit(lambda: current_app.config["PASS_LOOKUP_LIMIT"], scope="pass-lookup")

booking = limiter.limit(lambda: current_app.config["BOOKING_LIMIT"], methods=["POST"], scope="booking")
