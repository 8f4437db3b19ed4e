auth-lock-no-card = insert your CPS card in the reader first
auth-lock-locked = the session is locked: the CPS card was taken out; insert it and type your PIN to resume
