auth-token-login-not-token-account = { $account } does not sign in with Pro Santé Connect or a one-time code
