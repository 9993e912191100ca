"""WARC files (ISO 28500): the raw HTTP exchanges of a crawl, as archivists keep them.

The SQLite archive keeps what was extracted and the last body of each article page; WARC files
keep every exchange as it went over the wire, for replay (pywb), citation and reprocessing by
other tools. This package writes and reads them with warcio, and never touches the database:

- :mod:`.records` turns one HTTP exchange into WARC/1.1 ``request`` + ``response`` records (a
  304 into a ``revisit``);
- :mod:`.files` writes records into gzip-compressed files that rotate at a size, named the
  usual way, each opening with a ``warcinfo`` record, finalised (renamed) when closed, and
  recovers the files a killed process left unfinished;
- :mod:`.reader` reads a record back at its offset, and walks the responses of files made by
  any tool (regarchive, wget, Heritrix, browsertrix).
"""
