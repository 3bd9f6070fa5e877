"""What runs when: the scheduler, its jobs, leader election, and the admin CLI."""
