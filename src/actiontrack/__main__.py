from actiontrack.cli import main

main()
