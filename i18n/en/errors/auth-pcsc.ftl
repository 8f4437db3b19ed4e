auth-pcsc-no-service = the smart card service (PC/SC) is not running: start it (Linux: the pcscd service; Windows and macOS: built in) and try again
auth-pcsc-no-reader = no smart card reader is connected: plug in the card reader
auth-pcsc-no-card = no card in the reader "{ $reader }": insert your CPS card
auth-pcsc-reader-gone = the reader "{ $reader }" is no longer connected: plug it in again
auth-pcsc-mute = the card in "{ $reader }" does not answer: take it out and insert it again; if this persists, the card or the reader may be faulty
auth-pcsc-busy = the card in "{ $reader }" is in use by another program: close that program and try again
auth-pcsc-service = smart card service error: { $reason }
