from trainlytics.cli import main

raise SystemExit(main())
