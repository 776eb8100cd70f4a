from needminer.cli import app

app()
