"""``python -m local_aws.server [--port N]``: run the local AWS emulator (``local_aws.emulator.server``); it
prints ``LISTENING <port>`` once it serves."""

from local_aws.emulator.server import main

if __name__ == "__main__":
    main()
