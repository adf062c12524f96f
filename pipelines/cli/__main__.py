from pipelines.cli.handler import main

main()
