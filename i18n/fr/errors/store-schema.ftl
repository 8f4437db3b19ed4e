store-schema-too-new = ce magasin a été écrit par une version plus récente de Caducée (niveau de schéma { $found } ; ce programme connaît jusqu’au niveau { $known }). Mettez Caducée à jour : le magasin n’a pas été modifié.
store-schema-step = la mise à niveau du schéma vers le niveau { $version } ({ $name }) a échoué et a été annulée : { $reason }
store-schema-read = impossible de lire le niveau du schéma : { $reason }
