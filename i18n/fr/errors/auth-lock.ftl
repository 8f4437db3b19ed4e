auth-lock-no-card = insérez d’abord votre carte CPS dans le lecteur de carte
auth-lock-locked = la session est verrouillée : la carte CPS a été retirée ; insérez-la et saisissez votre code PIN pour reprendre
