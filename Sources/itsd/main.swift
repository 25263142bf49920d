print("itsd")
