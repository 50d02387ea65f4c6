import sys

from local_aws.demo.flow import main

sys.exit(main())
