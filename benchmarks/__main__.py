import sys

if sys.argv[1:2] == ["fidelity"]:
    from benchmarks.fidelity import main

    sys.exit(main(sys.argv[2:]))

from benchmarks.run import main

sys.exit(main())
