auth-token-login-not-token-account = le compte { $account } ne se connecte ni avec Pro Santé Connect ni avec un code à usage unique
