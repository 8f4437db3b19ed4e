sync-no-message = the message { $id } is not in the store
sync-no-folder = no folder “{ $name }” in this account
