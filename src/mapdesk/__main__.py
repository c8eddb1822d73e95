from mapdesk.cli import main

raise SystemExit(main())
