directory-open = cannot open the directory database at { $path }: { $reason }
directory-sql = directory database error: { $reason }
directory-read = cannot read the directory file { $path }: { $reason }
directory-zip = { $path } is not a usable zip archive ({ $reason }); give the Extraction_Correspondance_MSSante file or its zip
directory-empty = { $path } holds no directory rows: is it really an Extraction_Correspondance_MSSante file? The directory was left unchanged
