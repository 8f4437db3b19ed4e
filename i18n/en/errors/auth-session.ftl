auth-session-not-logged-in = not signed in with { $kind } for { $account }: sign in with `caducee account login { $account }`
auth-session-ended = the { $kind } session of { $account } has ended ({ $reason }): sign in again with `caducee account login { $account }`. Nothing queued was lost: waiting messages are sent after the new sign-in
auth-session-stale = the access token of { $account } expired and could not be renewed yet ({ $reason }); Caducée keeps trying
auth-session-keyring = the refresh token of { $account } cannot be kept: { $reason }

# The one-time-code sign-in, as { $kind } above.
auth-session-kind-otp = one-time code

# Reasons given inside the messages above.
auth-session-renewing = renewal under way
auth-session-expired = the session token expired
