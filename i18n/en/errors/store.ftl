store-wrong-key = the store at { $path } cannot be opened with this key: wrong key, or not a Caducée store. Nothing was changed
store-open = cannot open the store at { $path }: { $reason }
store-file = cannot prepare the store file { $path }: { $reason }
store-sql = store error: { $reason }
store-no-message = no message with id { $id }
store-no-folder = no folder named “{ $name }”
store-query = invalid search: { $reason }
