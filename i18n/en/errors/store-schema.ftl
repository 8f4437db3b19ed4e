store-schema-too-new = this store was written by a newer version of Caducée (schema level { $found }; this program knows up to { $known }). Update Caducée: the store was left untouched.
store-schema-step = schema upgrade to level { $version } ({ $name }) failed and was rolled back: { $reason }
store-schema-read = cannot read the schema level: { $reason }
