from bench.real_chat import main

raise SystemExit(main())
