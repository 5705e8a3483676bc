from eha import create_app

app = create_app()
