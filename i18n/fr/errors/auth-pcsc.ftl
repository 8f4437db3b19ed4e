auth-pcsc-no-service = le service de carte à puce (PC/SC) ne fonctionne pas : démarrez-le (Linux : le service pcscd ; Windows et macOS : intégré au système) et réessayez
auth-pcsc-no-reader = aucun lecteur de carte n’est branché : branchez le lecteur de carte
auth-pcsc-no-card = aucune carte dans le lecteur « { $reader } » : insérez votre carte CPS
auth-pcsc-reader-gone = le lecteur « { $reader } » n’est plus branché : branchez-le de nouveau
auth-pcsc-mute = la carte du lecteur « { $reader } » ne répond pas : retirez-la et insérez-la de nouveau ; si le problème persiste, la carte ou le lecteur est peut-être défectueux
auth-pcsc-busy = la carte du lecteur « { $reader } » est utilisée par un autre programme : fermez ce programme et réessayez
auth-pcsc-service = erreur du service de carte à puce : { $reason }
