import FefaentServer
import ArgumentParser
print("x")
